/**
 * A local AWS for tests and local runs: {@link dev.mcpbroker.testkit.aws.AwsEnvironment}.
 *
 * <p>With Docker, LocalStack in a container. Without Docker ("emulators"), everything on 127.0.0.1:
 * <ul>
 *   <li>DynamoDB Local in a child JVM with its own classpath ({@code target/dynamodb-local}, prepared by the testkit
 *       build), bound to loopback by {@link dev.mcpbroker.testkit.aws.dynamodb.DynamoDbLocalLauncher};</li>
 *   <li>kinesis-local (kinesis-mock) in a Node.js child process, installed on demand into {@code <repo>/.tools/npm};</li>
 *   <li>Secrets Manager and STS emulated in this JVM ({@link dev.mcpbroker.testkit.aws.emulator}).</li>
 * </ul>
 * Child output goes to {@code target/aws-emulators/} under the working directory.
 */
package dev.mcpbroker.testkit.aws;
