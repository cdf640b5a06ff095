package dev.mcpbroker.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mcpbroker.testkit.RepoPaths;
import dev.mcpbroker.testkit.infra.CloudFormationYaml;
import dev.mcpbroker.testkit.lambda.LocalSchedule;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TemplateFunctionsTest {

    @Test
    void theLocalRunRunsTheTemplatesThreeFunctionsWithTheirHandlersAndEventSources() {
        TemplateFunctions functions = TemplateFunctions.read(RepoPaths.repoRoot().resolve("infra/template.yaml"));

        assertThat(functions.broker().handler()).isEqualTo("io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest");
        assertThat(functions.auditForwarder().handler())
                .isEqualTo("dev.mcpbroker.function.forwarder.AuditForwarderHandler::handleRequest");
        assertThat(functions.auditForwarder().batchSize()).isEqualTo(100);
        assertThat(functions.auditForwarder().startingPosition()).isEqualTo("TRIM_HORIZON");
        assertThat(functions.auditForwarder().filterPatterns()).singleElement().asString().contains("event#");
        assertThat(functions.auditForwarder().maximumRetryAttempts()).isPositive();
        assertThat(functions.sessionMaintenance().handler())
                .isEqualTo("dev.mcpbroker.function.maintenance.SessionMaintenanceHandler::handleRequest");
        assertThat(LocalSchedule.rate(functions.sessionMaintenance().schedule())).isEqualTo(Duration.ofMinutes(1));
        assertThat(functions.sessionMaintenance().timeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aFunctionTheLocalRunCannotInvokeStopsItInsteadOfBeingLeftOut() {
        String template = """
                Resources:
                  Api:
                    Type: AWS::Serverless::Function
                    Properties: {Handler: a::b, Events: {Post: {Type: HttpApi}}}
                  Forwarder:
                    Type: AWS::Serverless::Function
                    Properties: {Handler: c::d, Events: {Feed: {Type: DynamoDB, Properties: {BatchSize: 10}}}}
                  Maintenance:
                    Type: AWS::Serverless::Function
                    Properties: {Handler: e::f, Events: {Tick: {Type: Schedule, Properties: {Schedule: rate(1 minute)}}}}
                  Mailer:
                    Type: AWS::Serverless::Function
                    Properties: {Handler: g::h, Events: {Queue: {Type: SQS}}}
                """;

        assertThatThrownBy(() -> TemplateFunctions.of(CloudFormationYaml.read(template)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("Mailer (events [SQS])");
    }
}
