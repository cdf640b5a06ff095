package dev.mcpbroker.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private final List<String> events = new ArrayList<>();
    private final SseParser parser = new SseParser(events::add);

    private void feed(String text) {
        parser.feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void dispatchesDataOfEachEventAtTheBlankLine() {
        feed("event: message\nid: 1\ndata: {\"a\":1}\n\ndata: {\"b\":2}\n\n");
        assertThat(events).containsExactly("{\"a\":1}", "{\"b\":2}");
    }

    @Test
    void joinsMultiLineDataAndAcceptsCrLfAndCr() {
        feed("data: {\"a\":\r\ndata: 1}\r\n\r\ndata: x\r\r");
        assertThat(events).containsExactly("{\"a\":\n1}", "x");
    }

    @Test
    void eventSplitAcrossChunksIncludingInsideAMultiByteCharacterIsReassembled() {
        byte[] bytes = "data: {\"name\":\"Zoë\"}\n\n".getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            parser.feed(ByteBuffer.wrap(new byte[] {b}));
        }
        assertThat(events).containsExactly("{\"name\":\"Zoë\"}");
    }

    @Test
    void commentsAndEventsWithoutDataAreSkipped() {
        feed(": keep-alive\n\nevent: ping\n\n");
        assertThat(events).isEmpty();
    }

    @Test
    void eventWithoutTerminatingBlankLineIsDroppedAtEndOfStream() {
        feed("data: partial");
        parser.finish();
        assertThat(events).isEmpty();
    }
}
