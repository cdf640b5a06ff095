package dev.mcpbroker.core.upstream;

import java.util.Map;
import java.util.Set;

/**
 * A resolved upstream credential: the headers to attach, and every form of the secret that must never
 * reach an agent (so upstream output can be redacted).
 */
public record UpstreamCredential(Map<String, String> headers, Set<String> secretValues) {

    public static final UpstreamCredential NONE = new UpstreamCredential(Map.of(), Set.of());

    public UpstreamCredential {
        headers = Map.copyOf(headers);
        secretValues = Set.copyOf(secretValues);
    }

    @Override
    public String toString() {
        return "UpstreamCredential[headers=" + headers.keySet() + ", secrets=" + secretValues.size() + "]";
    }
}
