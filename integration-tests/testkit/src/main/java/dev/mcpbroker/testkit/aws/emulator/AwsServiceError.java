package dev.mcpbroker.testkit.aws.emulator;

/**
 * An error an emulated service answers with, as the real service would: its error code (the SDK maps it to a typed
 * exception) and HTTP status.
 */
public final class AwsServiceError extends RuntimeException {

    private final String code;
    private final int status;

    public AwsServiceError(String code, String message) {
        this(code, 400, message);
    }

    public AwsServiceError(String code, int status, String message) {
        super(message, null, false, false);
        this.code = code;
        this.status = status;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}
