package dev.mcpbroker.core.upstream;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises an upstream saying that the session named in the request no longer exists. The
 * specification says 404; servers in the field also answer 400 with a message (the reference
 * TypeScript servers: "Bad Request: No valid session ID provided"). Both mean the request was not
 * processed, which is what makes re-opening the session and retrying a safe request possible.
 */
public final class UpstreamSessionSignals {

    private static final Pattern GONE = Pattern.compile(
            "session[^\\n]{0,40}(not found|no longer|expired|terminated|unknown|invalid)"
                    + "|(no valid|unknown|invalid|expired)[^\\n]{0,20}session");

    private UpstreamSessionSignals() {
    }

    /**
     * @param status    the HTTP status of an answer to a request that carried a session id
     * @param errorText the start of its body
     */
    public static boolean sessionGone(int status, String errorText) {
        if (status == 404) {
            return true;
        }
        return status == 400 && errorText != null && GONE.matcher(errorText.toLowerCase(Locale.ROOT)).find();
    }
}
