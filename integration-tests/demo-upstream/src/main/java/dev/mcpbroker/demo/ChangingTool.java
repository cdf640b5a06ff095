package dev.mcpbroker.demo;

import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.ToolResponse;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tool whose definition tests change while the server runs, as an upstream whose tool changes after an operator
 * approved it: {@code quote_fx}, read-only, absent until a test defines it (so the server's usual listing is
 * unchanged), redefined with whatever description the test gives, its calls counted.
 */
@Singleton
public class ChangingTool {

    public static final String NAME = "quote_fx";

    @Inject
    ToolManager tools;

    private final AtomicLong calls = new AtomicLong();

    /** Lists the tool from now on with this description (replacing the definition it had). */
    public synchronized void define(String description) {
        tools.removeTool(NAME);
        tools.newTool(NAME)
                .setDescription(description)
                .setAnnotations(new ToolManager.ToolAnnotations("Quote FX", true, false, true, false))
                .addArgument("pair", "Currency pair, such as EURUSD", true, String.class)
                .setHandler(arguments -> {
                    calls.incrementAndGet();
                    return ToolResponse.success("1.0842 " + arguments.args().get("pair"));
                })
                .register();
    }

    /** Lists it no more, and forgets its calls. */
    public synchronized void remove() {
        tools.removeTool(NAME);
        calls.set(0);
    }

    public long calls() {
        return calls.get();
    }
}
