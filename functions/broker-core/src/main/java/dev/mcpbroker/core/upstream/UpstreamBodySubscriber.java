package dev.mcpbroker.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads an upstream's answer to one POST, whether {@code application/json} or {@code text/event-stream},
 * and completes as soon as the JSON-RPC response to the request has arrived. An SSE stream may stay
 * open after that; the subscription is then cancelled so the connection does not linger.
 */
final class UpstreamBodySubscriber implements HttpResponse.BodySubscriber<UpstreamBodySubscriber.Body> {

    /**
     * The messages read: the response to the request (if it came) and everything before it; for an HTTP
     * error, the start of its body instead (enough to recognise a "session not found").
     */
    record Body(ObjectNode response, List<ObjectNode> relayed, String errorText) {

        Body(ObjectNode response, List<ObjectNode> relayed) {
            this(response, relayed, "");
        }

        static Body error(String text) {
            return new Body(null, List.of(), text);
        }
    }

    private final ObjectMapper mapper;
    private final JsonNode expectedId;
    private final boolean eventStream;
    private final long maxBytes;
    private final CompletableFuture<Body> result = new CompletableFuture<>();
    private final ByteArrayOutputStream buffered = new ByteArrayOutputStream();
    private final List<ObjectNode> relayed = new ArrayList<>();
    private final SseParser sse;
    private final boolean untilAcknowledged;
    static final String SUBSCRIPTION_ACKNOWLEDGED = "notifications/subscriptions/acknowledged";
    private Flow.Subscription subscription;
    private long received;

    /**
     * @param expectedId the id of the request whose response completes the body, or null when none is expected
     * @param eventStream whether the body is {@code text/event-stream}
     * @param maxBytes    larger bodies are refused as a protocol error rather than buffered
     */
    UpstreamBodySubscriber(ObjectMapper mapper, JsonNode expectedId, boolean eventStream, long maxBytes) {
        this(mapper, expectedId, eventStream, maxBytes, false);
    }

    /**
     * @param untilAcknowledged whether the body is complete once the upstream acknowledged a subscription: a
     *                          {@code subscriptions/listen} stream is read up to its acknowledgement, then closed
     */
    UpstreamBodySubscriber(ObjectMapper mapper, JsonNode expectedId, boolean eventStream, long maxBytes,
                           boolean untilAcknowledged) {
        this.untilAcknowledged = untilAcknowledged;
        this.mapper = mapper;
        this.expectedId = expectedId;
        this.eventStream = eventStream;
        this.maxBytes = maxBytes;
        this.sse = new SseParser(this::onEvent);
    }

    @Override
    public CompletionStage<Body> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        this.subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            received += buffer.remaining();
            if (received > maxBytes) {
                fail(new UpstreamException(UpstreamException.Kind.PROTOCOL,
                        "upstream answer exceeds " + maxBytes + " bytes", null));
                return;
            }
            if (eventStream) {
                sse.feed(buffer);
                if (result.isDone()) {
                    subscription.cancel();
                    return;
                }
            } else {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                buffered.writeBytes(bytes);
            }
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(new UpstreamException(UpstreamException.Kind.NO_RESPONSE,
                "upstream connection failed while reading the answer", throwable));
    }

    @Override
    public void onComplete() {
        if (result.isDone()) {
            return;
        }
        if (eventStream) {
            sse.finish();
            completeWithoutResponse();
            return;
        }
        if (buffered.size() == 0) {
            completeWithoutResponse();
            return;
        }
        try {
            JsonNode tree = mapper.readTree(buffered.toByteArray());
            if (!(tree instanceof ObjectNode message)) {
                throw new UpstreamException(UpstreamException.Kind.PROTOCOL, "upstream answer is not a JSON object", null);
            }
            accept(message);
            completeWithoutResponse();
        } catch (IOException e) {
            result.completeExceptionally(new UpstreamException(UpstreamException.Kind.PROTOCOL,
                    "upstream answer is not valid JSON", e));
        } catch (UpstreamException e) {
            result.completeExceptionally(e);
        }
    }

    private void onEvent(String data) {
        try {
            JsonNode tree = mapper.readTree(data);
            if (tree instanceof ObjectNode message) {
                accept(message);
            }
        } catch (IOException e) {
            fail(new UpstreamException(UpstreamException.Kind.PROTOCOL, "upstream event is not valid JSON", e));
        }
    }

    /**
     * Ends reading now, keeping what arrived: for a stream that has no end of its own within a request (a
     * subscription), read for a window and then closed, which the protocol reads as the client going away.
     */
    synchronized void closeWindow() {
        if (!result.isDone()) {
            result.complete(new Body(null, List.copyOf(relayed)));
        }
        if (subscription != null) {
            subscription.cancel();
        }
    }

    private synchronized void accept(ObjectNode message) {
        boolean isResponse = !message.has("method") && (message.has("result") || message.has("error"));
        if (isResponse && expectedId != null && expectedId.equals(message.get("id"))) {
            result.complete(new Body(message, List.copyOf(relayed)));
        } else {
            relayed.add(message);
            if (untilAcknowledged && SUBSCRIPTION_ACKNOWLEDGED.equals(message.path("method").asText())) {
                result.complete(new Body(null, List.copyOf(relayed)));
            }
        }
    }

    private synchronized void completeWithoutResponse() {
        if (expectedId != null) {
            result.completeExceptionally(new UpstreamException(UpstreamException.Kind.NO_RESPONSE,
                    "upstream closed the answer before the response arrived", null));
        } else {
            result.complete(new Body(null, List.copyOf(relayed)));
        }
    }

    private void fail(UpstreamException failure) {
        result.completeExceptionally(failure);
        if (subscription != null) {
            subscription.cancel();
        }
    }
}
