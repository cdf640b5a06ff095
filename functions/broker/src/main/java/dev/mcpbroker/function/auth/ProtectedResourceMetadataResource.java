package dev.mcpbroker.function.auth;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), which MCP clients read to find the authorization server
 * after a 401. No authentication. The path form answers for one MCP endpoint: per RFC 9728 section 3.3 its
 * {@code resource} is the endpoint's own URL, {@code <resource>/mcp/{server}}.
 */
@Path(ProtectedResourceMetadataResource.WELL_KNOWN_PATH)
@Produces(MediaType.APPLICATION_JSON)
public class ProtectedResourceMetadataResource {

    /** The metadata's path below the broker's origin (RFC 9728 section 3), as named in 401 challenges. */
    public static final String WELL_KNOWN_PATH = "/.well-known/oauth-protected-resource";
    /** Agent endpoints live under this path; {@code <resource>/mcp/<server>} is a server's resource URL. */
    public static final String MCP_PATH_PREFIX = "/mcp/";
    static final String RESOURCE_NAME = "mcp-broker";
    /** Upstream ids are configuration keys; anything else cannot name an endpoint and is not echoed back. */
    private static final Pattern SERVER_ID = Pattern.compile("[A-Za-z0-9._~-]{1,128}");

    private final AuthConfig config;

    @Inject
    public ProtectedResourceMetadataResource(AuthConfig config) {
        this.config = config;
    }

    @GET
    public Map<String, Object> broker() {
        return metadata(config.resource().toString());
    }

    @GET
    @Path("/mcp/{server}")
    public Map<String, Object> server(@PathParam("server") String server) {
        if (!SERVER_ID.matcher(server).matches()) {
            throw new NotFoundException();
        }
        return metadata(base() + "/mcp/" + server);
    }

    private String base() {
        String resource = config.resource().toString();
        return resource.endsWith("/") ? resource.substring(0, resource.length() - 1) : resource;
    }

    private Map<String, Object> metadata(String resource) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("resource", resource);
        metadata.put("authorization_servers", List.of(config.issuer()));
        metadata.put("bearer_methods_supported", List.of("header"));
        metadata.put("resource_name", RESOURCE_NAME);
        return metadata;
    }
}
