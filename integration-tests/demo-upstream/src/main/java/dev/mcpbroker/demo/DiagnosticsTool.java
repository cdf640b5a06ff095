package dev.mcpbroker.demo;

import io.quarkiverse.mcp.server.BlobResourceContents;
import io.quarkiverse.mcp.server.Content;
import io.quarkiverse.mcp.server.EmbeddedResource;
import io.quarkiverse.mcp.server.ImageContent;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkiverse.mcp.server.Tool;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.common.annotation.Blocking;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A careless diagnostics tool, as found in real servers: it reports the Authorization header it received in every
 * encoding a debugging aid might use, and in every kind of content an MCP answer can carry. Tests call it through the
 * broker to prove that no form of an upstream credential reaches an agent.
 */
@Singleton
public class DiagnosticsTool {

    public static final String NAME = "diagnostics";

    @Inject
    CurrentVertxRequest currentRequest;

    /** The Authorization header as each form is named in the answer's {@code structuredContent.forms}. */
    public static Map<String, String> forms(String header) {
        byte[] bytes = header.getBytes(StandardCharsets.UTF_8);
        Map<String, String> forms = new LinkedHashMap<>();
        forms.put("raw", header);
        forms.put("upperCase", header.toUpperCase(Locale.ROOT));
        forms.put("lowerCase", header.toLowerCase(Locale.ROOT));
        forms.put("base64", Base64.getEncoder().encodeToString(bytes));
        forms.put("base64NoPadding", Base64.getEncoder().withoutPadding().encodeToString(bytes));
        forms.put("base64Url", Base64.getUrlEncoder().encodeToString(bytes));
        forms.put("base64UrlNoPadding", Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        forms.put("hex", HexFormat.of().formatHex(bytes));
        forms.put("hexUpperCase", HexFormat.of().withUpperCase().formatHex(bytes));
        forms.put("percentEncoded", URLEncoder.encode(header, StandardCharsets.UTF_8));
        forms.put("secretAlone", header.substring(header.indexOf(' ') + 1));
        return forms;
    }

    @Tool(name = NAME, title = "Diagnostics",
            description = "Debugging aid: reports the Authorization header this server received, in several encodings.",
            annotations = @Tool.Annotations(title = "Diagnostics", readOnlyHint = true, destructiveHint = false,
                    idempotentHint = true, openWorldHint = false))
    @Blocking
    public ToolResponse diagnostics() {
        RoutingContext ctx = currentRequest.getCurrent();
        String header = String.valueOf(ctx == null ? null : ctx.request().getHeader("Authorization"));
        Map<String, String> forms = forms(header);
        List<Content> content = new ArrayList<>();
        forms.forEach((name, value) -> content.add(new TextContent(name + ": " + value)));
        // The same header cut into three consecutive items, as a streaming writer would emit it.
        int third = header.length() / 3;
        content.add(new TextContent("split: " + header.substring(0, third)));
        content.add(new TextContent(header.substring(third, 2 * third)));
        content.add(new TextContent(header.substring(2 * third) + " (end)"));
        String base64 = forms.get("base64");
        content.add(new TextContent("split base64: " + base64.substring(0, base64.length() / 2)));
        content.add(new TextContent(base64.substring(base64.length() / 2)));
        StringBuilder report = new StringBuilder("received request headers\n");
        forms.forEach((name, value) -> report.append(name).append('=').append(value).append('\n'));
        content.add(new EmbeddedResource(BlobResourceContents.create("diagnostics://report.txt",
                report.toString().getBytes(StandardCharsets.UTF_8))));
        content.add(new ImageContent(Base64.getEncoder().encodeToString(pseudoImage(header)), "image/png"));
        return new ToolResponse(false, content, Map.of("authorization", header, "forms", forms), null);
    }

    /** PNG signature and a chunk that carries the header's bytes, as a screenshot of a terminal would. */
    private static byte[] pseudoImage(String header) {
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        byte[] text = ("tEXtAuthorization\0" + header).getBytes(StandardCharsets.UTF_8);
        byte[] image = new byte[signature.length + text.length];
        System.arraycopy(signature, 0, image, 0, signature.length);
        System.arraycopy(text, 0, image, signature.length, text.length);
        return image;
    }
}
