package dev.mcpbroker.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class SecretRedactorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Its standard base64 holds '+' and '/', so base64url differs from it. */
    private static final String SECRET = "s3cr3t?>value~~key";
    private static final String HEADER = "Bearer " + SECRET;

    private static ObjectNode json(String text) throws Exception {
        return (ObjectNode) JSON.readTree(text);
    }

    private static ObjectNode textAnswer(String... texts) {
        ObjectNode message = JSON.createObjectNode();
        ArrayNode content = message.putObject("result").putArray("content");
        for (String text : texts) {
            content.addObject().put("type", "text").put("text", text);
        }
        return message;
    }

    private static String b64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64url(String value) {
        return Base64.getUrlEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(String value) {
        return HexFormat.of().formatHex(value.getBytes(StandardCharsets.UTF_8));
    }

    /** Every byte as %XX, as some encoders write it. */
    private static String percentAll(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            out.append('%').append(String.format("%02x", b));
        }
        return out.toString();
    }

    static Stream<Arguments> encodedForms() {
        return Stream.of(
                form("raw", v -> v),
                form("upper case", v -> v.toUpperCase(Locale.ROOT)),
                form("mixed case", v -> v.substring(0, 5).toUpperCase(Locale.ROOT) + v.substring(5)),
                form("base64 with padding", SecretRedactorTest::b64),
                form("base64 without padding", v -> b64(v).replace("=", "")),
                form("base64url with padding", SecretRedactorTest::b64url),
                form("base64url without padding", v -> b64url(v).replace("=", "")),
                form("hex lower case", SecretRedactorTest::hex),
                form("hex upper case", v -> hex(v).toUpperCase(Locale.ROOT)),
                form("percent-encoded (form encoding)", v -> URLEncoder.encode(v, StandardCharsets.UTF_8)),
                form("percent-encoded, every byte", SecretRedactorTest::percentAll),
                form("percent-encoded, every byte, upper-case hex", v -> percentAll(v).toUpperCase(Locale.ROOT)));
    }

    private static Arguments form(String name, Function<String, String> encode) {
        return Arguments.of(name, encode);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodedForms")
    void encodedSecretAloneInTextIsReplaced(String name, Function<String, String> encode) {
        String encoded = encode.apply(SECRET);
        ObjectNode message = textAnswer("value: " + encoded + " end");
        assertThat(SecretRedactor.redact(message, Set.of(SECRET))).isTrue();
        assertThat(text(message, 0)).isEqualTo("value: [REDACTED] end");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodedForms")
    void encodedHeaderHoldingTheSecretLeavesNothingOfTheSecret(String name, Function<String, String> encode) {
        // The secret sits 7 bytes into the encoded value: base64 must be recognised at any alignment.
        for (String prefix : new String[] {"Bearer ", "Bearer  ", "Bearer   "}) {
            String encoded = encode.apply(prefix + SECRET);
            ObjectNode message = textAnswer("authorization=" + encoded + ";");
            assertThat(SecretRedactor.redact(message, Set.of(SECRET))).as(prefix.length() + " bytes before").isTrue();
            assertThat(text(message, 0)).doesNotContain(encoded).contains("[REDACTED]");
            assertNoFormOf(SECRET, message.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodedForms")
    void encodedSecretSplitAcrossConsecutiveContentItemsIsRedactedInEachItem(String name, Function<String, String> encode) {
        String encoded = encode.apply(HEADER);
        int third = encoded.length() / 3;
        ObjectNode message = textAnswer("before " + encoded.substring(0, third), encoded.substring(third, 2 * third),
                encoded.substring(2 * third) + " after");
        assertThat(SecretRedactor.redact(message, Set.of(SECRET))).isTrue();
        assertThat(text(message, 0)).startsWith("before ").endsWith("[REDACTED]");
        assertThat(text(message, 1)).isEqualTo("[REDACTED]");
        assertThat(text(message, 2)).startsWith("[REDACTED]").endsWith(" after");
        String joined = text(message, 0) + text(message, 1) + text(message, 2);
        assertNoFormOf(SECRET, joined);
    }

    @Test
    void secretSplitAcrossTwoItemsWithOtherItemsBetweenIsStillJoinedInOrder() {
        ObjectNode message = textAnswer("a", "token s3cr3t?>va", "lue~~key!");
        message.withArray("/result/content").insertObject(1).put("type", "image").put("data", b64("png")).put("mimeType", "image/png");
        assertThat(SecretRedactor.redact(message, Set.of(SECRET))).isTrue();
        assertThat(text(message, 2)).isEqualTo("token [REDACTED]");
        assertThat(text(message, 3)).isEqualTo("[REDACTED]!");
    }

    @Test
    void anEncodedValueEndingOneItemIsReplacedWithoutTouchingTheNextItemsText() {
        ObjectNode message = textAnswer("base64: " + b64(HEADER).replace("=", ""), "base64NoPadding: none", "Tail");
        assertThat(SecretRedactor.redact(message, Set.of(SECRET))).isTrue();
        assertThat(text(message, 0)).isEqualTo("base64: [REDACTED]");
        assertThat(text(message, 1)).isEqualTo("base64NoPadding: none");
        assertThat(text(message, 2)).isEqualTo("Tail");
    }

    @Test
    void encodedFormsInsideStructuredContentValuesAndKeysAreReplaced() throws Exception {
        ObjectNode message = json("""
                {"result":{"content":[],"structuredContent":{"headers":{"b64":"%s","hex":"%s","pct":["%s"]},"%s":"as key"}}}"""
                .formatted(b64(HEADER), hex(HEADER).toUpperCase(Locale.ROOT), URLEncoder.encode(HEADER, StandardCharsets.UTF_8),
                        b64url(SECRET)));
        assertThat(SecretRedactor.redact(message, Set.of(SECRET))).isTrue();
        assertThat(message.path("result").path("structuredContent").path("headers").path("b64").asText()).isEqualTo("[REDACTED]");
        assertThat(message.path("result").path("structuredContent").path("[REDACTED]").asText()).isEqualTo("as key");
        assertNoFormOf(SECRET, message.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodedForms")
    void resourceBlobWhoseBytesHoldTheSecretIsReplacedWhole(String name, Function<String, String> encode) {
        ObjectNode message = textAnswer("see resource");
        ObjectNode resource = message.withArray("/result/content").addObject().put("type", "resource").putObject("resource");
        resource.put("uri", "file:///diagnostics.txt").put("mimeType", "text/plain")
                .put("blob", b64("received header: " + encode.apply(HEADER) + "\n"));
        assertThat(SecretRedactor.redact(message, Set.of(SECRET))).isTrue();
        assertThat(resource.path("blob").asText()).isEqualTo(SecretRedactor.REDACTED_BLOB);
        assertThat(new String(Base64.getDecoder().decode(SecretRedactor.REDACTED_BLOB), StandardCharsets.US_ASCII))
                .isEqualTo("[REDACTED]");
    }

    @Test
    void binarySecretBytesInsideImageDataAreFoundAndTheDataReplaced() {
        byte[] png = new byte[600];
        for (int i = 0; i < png.length; i++) {
            png[i] = (byte) (i * 31);
        }
        byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(secret, 0, png, 301, secret.length);
        ObjectNode message = textAnswer("chart");
        ObjectNode image = message.withArray("/result/content").addObject()
                .put("type", "image").put("mimeType", "image/png").put("data", Base64.getEncoder().encodeToString(png));
        ObjectNode audio = message.withArray("/result/content").addObject()
                .put("type", "audio").put("mimeType", "audio/wav").put("data", b64url(HEADER).replace("=", ""));
        assertThat(SecretRedactor.redact(message, Set.of(SECRET))).isTrue();
        assertThat(image.path("data").asText()).isEqualTo(SecretRedactor.REDACTED_BLOB);
        assertThat(audio.path("data").asText()).isEqualTo(SecretRedactor.REDACTED_BLOB);
    }

    @Test
    void binaryDataWithoutTheSecretIsLeftByteForByte() {
        String data = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, (byte) 0xff, 0, 42, 7, 9, 100});
        ObjectNode message = textAnswer("chart");
        message.withArray("/result/content").addObject().put("type", "image").put("mimeType", "image/png").put("data", data);
        message.withArray("/result/content").addObject().put("type", "resource").putObject("resource")
                .put("uri", "file:///x").put("blob", data);
        String before = message.toString();
        assertThat(SecretRedactor.redact(message, Set.of(SECRET))).isFalse();
        assertThat(message.toString()).isEqualTo(before);
    }

    @Test
    void aDataFieldThatIsNotBinaryContentIsRedactedAsText() throws Exception {
        ObjectNode message = json("{\"result\":{\"structuredContent\":{\"type\":\"report\",\"data\":\"key " + SECRET + "\"}}}");
        assertThat(SecretRedactor.redact(message, Set.of(SECRET))).isTrue();
        assertThat(message.path("result").path("structuredContent").path("data").asText()).isEqualTo("key [REDACTED]");
    }

    @Test
    void secretInsideNestedTextValuesArraysAndKeysIsReplaced() throws Exception {
        ObjectNode message = json("""
                {"result":{"content":[{"type":"text","text":"token=s3cr3t-value; ok"}],
                 "structuredContent":{"env":{"API_KEY":"s3cr3t-value","s3cr3t-value":"as key"},"list":["x s3cr3t-value y"]}}}""");
        assertThat(SecretRedactor.redact(message, Set.of("s3cr3t-value"))).isTrue();
        assertThat(message.toString()).doesNotContain("s3cr3t-value")
                .contains("token=[REDACTED]; ok").contains("\"API_KEY\":\"[REDACTED]\"").contains("\"[REDACTED]\":\"as key\"");
    }

    @Test
    void outputWithoutSecretsIsUntouched() throws Exception {
        ObjectNode message = json("{\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"balance 10 %41%42 QUJD\"},"
                + "{\"type\":\"text\",\"text\":\"second item\"}],\"structuredContent\":{\"Balance\":10}}}");
        String before = message.toString();
        assertThat(SecretRedactor.redact(message, Set.of("s3cr3t-value"))).isFalse();
        assertThat(message.toString()).isEqualTo(before);
    }

    @Test
    void veryShortValuesAreNotTreatedAsSecrets() throws Exception {
        ObjectNode message = json("{\"text\":\"abc abc " + b64("abc") + " " + hex("abc") + "\"}");
        assertThat(SecretRedactor.redact(message, Set.of("abc"))).isFalse();
    }

    private static String text(ObjectNode message, int item) {
        return message.path("result").path("content").get(item).path("text").asText();
    }

    /** No form of {@code secret} in {@code text}, searched independently of the redactor. */
    private static void assertNoFormOf(String secret, String text) {
        assertThat(text.toLowerCase(Locale.ROOT)).doesNotContain(secret.toLowerCase(Locale.ROOT))
                .doesNotContain(hex(secret));
        for (int offset = 0; offset < 3; offset++) {
            String core = SecretForms.base64Core(secret.getBytes(StandardCharsets.UTF_8), offset);
            assertThat(text).doesNotContain(core).doesNotContain(core.replace('+', '-').replace('/', '_'));
        }
        assertThat(text).doesNotContain(URLEncoder.encode(secret, StandardCharsets.UTF_8))
                .doesNotContain(percentAll(secret));
    }
}
