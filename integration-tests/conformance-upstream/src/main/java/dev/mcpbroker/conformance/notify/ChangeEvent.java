package dev.mcpbroker.conformance.notify;

/** A change the server announces to listeners: a list changed, or one resource was updated. */
public record ChangeEvent(Kind kind, String uri) {

    public enum Kind {
        TOOLS_LIST_CHANGED("notifications/tools/list_changed"),
        PROMPTS_LIST_CHANGED("notifications/prompts/list_changed"),
        RESOURCE_UPDATED("notifications/resources/updated");

        private final String method;

        Kind(String method) {
            this.method = method;
        }

        public String method() {
            return method;
        }
    }

    public static ChangeEvent toolsListChanged() {
        return new ChangeEvent(Kind.TOOLS_LIST_CHANGED, null);
    }

    public static ChangeEvent promptsListChanged() {
        return new ChangeEvent(Kind.PROMPTS_LIST_CHANGED, null);
    }

    public static ChangeEvent resourceUpdated(String uri) {
        return new ChangeEvent(Kind.RESOURCE_UPDATED, uri);
    }
}
