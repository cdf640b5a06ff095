package dev.mcpbroker.core.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mcpbroker.core.upstream.UpstreamCall;
import dev.mcpbroker.core.upstream.UpstreamClient;
import dev.mcpbroker.core.upstream.UpstreamException;
import dev.mcpbroker.core.upstream.UpstreamReply;
import dev.mcpbroker.core.upstream.UpstreamServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small MCP server behind the {@link UpstreamClient} port, for tests of the request path that run in
 * milliseconds: sessions, a read-only tool ({@code get_balance}), a state-changing one ({@code transfer}, whose
 * executions are counted) and whatever a test makes it do next (lose its sessions, set a cookie, execute and then
 * drop the answer, fail before acting).
 */
final class InMemoryUpstream implements UpstreamClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Set<String> liveSessions = new HashSet<>();
    private final AtomicInteger sessionsOpened = new AtomicInteger();
    private final List<String> methods = new ArrayList<>();
    private final List<UpstreamCall> calls = new ArrayList<>();
    private final AtomicInteger transfers = new AtomicInteger();
    private final List<String> terminated = new ArrayList<>();
    private final List<String> tasks = new ArrayList<>();
    private String nextCookie;
    private boolean cookiePerRequest;
    private UpstreamException.Kind failNextBeforeActing;
    private boolean dropNextAnswerAfterActing;
    private Runnable whileExecuting = () -> { };

    /** Every request and notification it received, by method, in order. */
    synchronized List<String> methods() {
        return List.copyOf(methods);
    }

    /** Every call it received, in order (message, session, version, headers). */
    synchronized List<UpstreamCall> calls() {
        return List.copyOf(calls);
    }

    /** How many times {@code transfer} ran. */
    int transfers() {
        return transfers.get();
    }

    int sessionsOpened() {
        return sessionsOpened.get();
    }

    synchronized List<String> terminated() {
        return List.copyOf(terminated);
    }

    /** Forgets every session, as an upstream that restarted: the next request of one is answered "session gone". */
    synchronized void loseSessions() {
        liveSessions.clear();
    }

    /** The next answer sets this cookie ({@code Set-Cookie} value). */
    synchronized void setCookieOnNextAnswer(String setCookie) {
        this.nextCookie = setCookie;
    }

    /** Every answer to a request sets a cookie of its own, named after the request's id. */
    synchronized void setCookiePerRequest() {
        this.cookiePerRequest = true;
    }

    /** The next request fails this way before the upstream acts on it. */
    synchronized void failNextBeforeActing(UpstreamException.Kind kind) {
        this.failNextBeforeActing = kind;
    }

    /** The next tool call runs, and then its answer is lost on the way back. */
    synchronized void dropNextAnswerAfterActing() {
        this.dropNextAnswerAfterActing = true;
    }

    /** Runs while a tool call executes (after the upstream acted, before it answers). */
    synchronized void whileExecuting(Runnable action) {
        this.whileExecuting = action;
    }

    /** Definitions that replace (by name) or join the tools it lists, as an upstream that changed a tool. */
    private final java.util.Map<String, ObjectNode> redefined = new java.util.LinkedHashMap<>();

    /** From now on it lists {@code definition} in place of the tool of that name (or as a new tool). */
    synchronized void redefineTool(ObjectNode definition) {
        redefined.put(definition.path("name").asText(), definition.deepCopy());
    }

    private synchronized void applyRedefinitions(com.fasterxml.jackson.databind.node.ArrayNode tools) {
        redefined.forEach((name, definition) -> {
            for (int i = 0; i < tools.size(); i++) {
                if (tools.get(i).path("name").asText().equals(name)) {
                    tools.set(i, definition.deepCopy());
                    return;
                }
            }
            tools.add(definition.deepCopy());
        });
    }

    @Override
    public UpstreamReply send(UpstreamServer server, UpstreamCall call) {
        ObjectNode message = call.message();
        String method = message.path("method").asText(null);
        Runnable during;
        String cookie;
        synchronized (this) {
            methods.add(method == null ? "(response)" : method);
            calls.add(call);
            if (failNextBeforeActing != null) {
                UpstreamException.Kind kind = failNextBeforeActing;
                failNextBeforeActing = null;
                throw new UpstreamException(kind, 503, "failed before acting", null, null);
            }
            if (call.upstreamSessionId() == null && !"initialize".equals(method)) {
                // a legacy server: nothing but initialize without a session (a stateless server/discover included)
                throw new UpstreamException(UpstreamException.Kind.REJECTED, 400, "no session", null, null);
            }
            if (call.upstreamSessionId() != null && !liveSessions.contains(call.upstreamSessionId())) {
                throw new UpstreamException(UpstreamException.Kind.SESSION_GONE, 404, "session not found", null, null);
            }
            during = whileExecuting;
            cookie = cookiePerRequest && message.has("id") ? "c" + message.get("id").asText() + "=1; Path=/" : nextCookie;
            nextCookie = null;
        }
        List<String> cookies = cookie == null ? List.of() : List.of(cookie);
        if (!message.has("id")) {
            return new UpstreamReply(202, Optional.empty(), Optional.empty(), List.of(), cookies);
        }
        ObjectNode result = JSON.createObjectNode();
        List<ObjectNode> relayed = new ArrayList<>();
        Optional<String> sessionId = Optional.empty();
        switch (method) {
            case "initialize" -> {
                String id = "up-" + sessionsOpened.incrementAndGet();
                synchronized (this) {
                    liveSessions.add(id);
                }
                sessionId = Optional.of(id);
                result.put("protocolVersion", message.path("params").path("protocolVersion").asText());
                result.putObject("capabilities").putObject("tools").put("listChanged", true);
                result.putObject("serverInfo").put("name", "in-memory").put("version", "1");
            }
            case "tools/list" -> {
                var tools = result.putArray("tools");
                tools.addObject().put("name", "get_balance").putObject("annotations").put("readOnlyHint", true);
                tools.addObject().put("name", "transfer");
                // a report that runs as a task; it reads only
                tools.addObject().put("name", "long_job").putObject("annotations").put("readOnlyHint", true);
                applyRedefinitions(tools);
            }
            case "resources/list" -> {
                var resources = result.putArray("resources");
                resources.addObject().put("uri", "file:///public/readme").put("name", "readme");
                resources.addObject().put("uri", "file:///secret/keys").put("name", "keys");
            }
            case "resources/templates/list" -> {
                var templates = result.putArray("resourceTemplates");
                templates.addObject().put("uriTemplate", "file:///public/{name}").put("name", "public");
                templates.addObject().put("uriTemplate", "file:///secret/{name}").put("name", "secret");
            }
            case "resources/read" -> result.putArray("contents").addObject()
                    .put("uri", message.path("params").path("uri").asText()).put("text", "contents");
            case "prompts/list" -> {
                var prompts = result.putArray("prompts");
                prompts.addObject().put("name", "greeting");
                prompts.addObject().put("name", "admin_override");
            }
            case "prompts/get" -> result.putArray("messages").addObject().put("role", "user")
                    .putObject("content").put("type", "text").put("text", "hello");
            case "completion/complete" -> result.putObject("completion").putArray("values").add("a");
            case "tasks/list" -> {
                var list = result.putArray("tasks");
                synchronized (this) {
                    tasks.forEach(task -> list.addObject().put("taskId", task).put("status", "working"));
                }
            }
            case "tasks/get" -> result.put("taskId", message.path("params").path("taskId").asText()).put("status", "working");
            case "tools/call" -> {
                String tool = message.path("params").path("name").asText();
                if (tool.equals("long_job")) {
                    String task = "task-" + UUID.randomUUID();
                    synchronized (this) {
                        tasks.add(task);
                    }
                    result.putObject("task").put("taskId", task).put("status", "working");
                } else if (tool.equals("transfer")) {
                    int executed = transfers.incrementAndGet();
                    during.run();
                    boolean drop;
                    synchronized (this) {
                        drop = dropNextAnswerAfterActing;
                        dropNextAnswerAfterActing = false;
                    }
                    if (drop) {
                        throw new UpstreamException(UpstreamException.Kind.NO_RESPONSE, "answer lost", null);
                    }
                    result.putArray("content").addObject().put("type", "text").put("text", "transfer #" + executed);
                } else {
                    result.putArray("content").addObject().put("type", "text").put("text", "balance 100");
                    ObjectNode log = JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "notifications/message");
                    log.putObject("params").put("level", "info").put("data", "balance read");
                    relayed.add(log);
                }
            }
            default -> { }
        }
        ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", message.get("id"));
        response.set("result", result);
        return new UpstreamReply(200, sessionId, Optional.of(response), relayed, cookies);
    }

    @Override
    public synchronized void terminate(UpstreamServer server, String upstreamSessionId, String protocolVersion,
                                       Map<String, String> headers) {
        terminated.add(upstreamSessionId);
        liveSessions.remove(upstreamSessionId);
    }
}
