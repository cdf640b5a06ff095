package dev.mcpbroker.function.priming;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.mcpbroker.function.auth.ProtectedResourceMetadataResource;
import io.quarkus.amazon.lambda.http.LambdaHttpHandler;
import java.util.Map;

/**
 * One API Gateway (payload v2) event through the same handler Lambda invokes: Quarkus' event-to-HTTP bridge, the
 * router, JAX-RS and the JSON writer. The request is the broker's OAuth protected-resource metadata, which reads
 * nothing and writes nothing; no MCP request is sent, since even a refused one is counted and audited.
 */
final class HttpStackPriming {

    private HttpStackPriming() {
    }

    /** @param host the host agents address the broker by (the one it admits) */
    static void metadataRequest(String host) {
        String path = ProtectedResourceMetadataResource.WELL_KNOWN_PATH;
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey("GET " + path)
                .withRawPath(path)
                .withRawQueryString("")
                .withHeaders(Map.of("accept", "application/json", "host", host))
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId("priming")
                        .withStage("$default")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod("GET").withPath(path).withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build())
                        .build())
                .build();
        APIGatewayV2HTTPResponse response = new LambdaHttpHandler().handleRequest(event, new PrimingContext());
        if (response.getStatusCode() != 200) {
            throw new Primer.NotPrimed("HTTP " + response.getStatusCode());
        }
    }

    /** The invocation context of a request Lambda never sent. */
    private static final class PrimingContext implements Context {
        @Override public String getAwsRequestId() { return "priming"; }
        @Override public String getLogGroupName() { return "priming"; }
        @Override public String getLogStreamName() { return "priming"; }
        @Override public String getFunctionName() { return "priming"; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:priming"; }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() { return 30_000; }
        @Override public int getMemoryLimitInMB() { return 512; }
        @Override public LambdaLogger getLogger() {
            return new LambdaLogger() {
                @Override public void log(String message) {
                    // priming writes nothing to the function's log but its one summary line
                }
                @Override public void log(byte[] message) {
                }
            };
        }
    }
}
