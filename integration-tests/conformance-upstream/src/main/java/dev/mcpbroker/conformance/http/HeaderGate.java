package dev.mcpbroker.conformance.http;

import com.sun.net.httpserver.HttpExchange;

import java.util.Map;

/**
 * Optional admission check ({@code --require-header NAME=VALUE}): requests without the header, or with another
 * value, get 401. Lets tests prove that a client (or a gateway in front) sends a credential on every request.
 */
public final class HeaderGate {

    private final Map<String, String> required;

    public HeaderGate(Map<String, String> required) {
        this.required = Map.copyOf(required);
    }

    /** Null when the request may proceed, else the name of the header that is missing or wrong. */
    public String refusal(HttpExchange exchange) {
        for (Map.Entry<String, String> header : required.entrySet()) {
            if (!header.getValue().equals(HttpExchanges.header(exchange, header.getKey()))) {
                return header.getKey();
            }
        }
        return null;
    }
}
