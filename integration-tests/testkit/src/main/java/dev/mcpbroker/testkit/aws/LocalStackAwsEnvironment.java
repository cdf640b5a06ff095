package dev.mcpbroker.testkit.aws;

import java.net.URI;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/** LocalStack in a container started by Testcontainers: one endpoint for every service. */
final class LocalStackAwsEnvironment extends EndpointAwsEnvironment {

    /** Pinned so that every run and every machine tests against the same service behaviour. */
    static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.4");

    private final LocalStackContainer container;
    private final URI endpoint;

    private LocalStackAwsEnvironment(LocalStackContainer container, URI endpoint) {
        super("localstack", new Endpoints(endpoint, endpoint, endpoint, endpoint));
        this.container = container;
        this.endpoint = endpoint;
    }

    @Override
    protected URI startS3() {
        return endpoint;
    }

    static LocalStackAwsEnvironment start() {
        LocalStackContainer container = new LocalStackContainer(IMAGE).withServices("dynamodb", "kinesis", "secretsmanager", "sts", "s3");
        container.start();
        try {
            return new LocalStackAwsEnvironment(container, container.getEndpoint());
        } catch (RuntimeException e) {
            container.stop();
            throw e;
        }
    }

    @Override
    protected void stopServices() {
        container.stop();
    }
}
