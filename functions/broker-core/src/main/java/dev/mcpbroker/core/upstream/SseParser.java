package dev.mcpbroker.core.upstream;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Incremental parser for {@code text/event-stream} (the WHATWG server-sent events format): feed it bytes
 * as they arrive, it hands over the data of each complete event. Event names, ids and retry hints are
 * not needed by the broker and are skipped.
 */
final class SseParser {

    private final Consumer<String> onEventData;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private boolean lastWasCarriageReturn;

    SseParser(Consumer<String> onEventData) {
        this.onEventData = onEventData;
    }

    void feed(ByteBuffer buffer) {
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (b == '\n' && lastWasCarriageReturn) {
                lastWasCarriageReturn = false; // second half of CRLF
                continue;
            }
            lastWasCarriageReturn = b == '\r';
            if (b == '\n' || b == '\r') {
                endOfLine();
            } else {
                line.write(b);
            }
        }
    }

    /** The stream ended: an event without its terminating blank line is dropped, as the format says. */
    void finish() {
        line.reset();
        data.setLength(0);
        hasData = false;
    }

    private void endOfLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            return; // comment, used by servers as keep-alive
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("data")) {
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
        }
    }

    private void dispatch() {
        if (hasData) {
            String eventData = data.toString();
            data.setLength(0);
            hasData = false;
            if (!eventData.isEmpty()) {
                onEventData.accept(eventData);
            }
        }
    }
}
