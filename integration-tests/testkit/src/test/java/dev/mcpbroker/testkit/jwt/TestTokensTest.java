package dev.mcpbroker.testkit.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.testkit.jwt.TestTokens.KeyKind;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestTokensTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

    private final TestTokens tokens = TestTokens.create("https://idp.example.com", "https://broker.example.com");

    @Test
    void rs256TokenCarriesTheClaimsAndVerifiesWithTheRsaPublicKey() throws Exception {
        String token = tokens.forAgent("agent-a").tenant("t1").actingFor("alice@example.com").sign();

        assertThat(token.split("\\.", -1)).hasSize(3);
        assertThat(TestTokens.decodeSegment(token, 0))
                .containsEntry("alg", "RS256").containsEntry("kid", TestTokens.RSA_KID).containsEntry("typ", "JWT");
        Map<String, Object> claims = TestTokens.decodeSegment(token, 1);
        // RFC 8693 delegation: the user is the subject, the agent the actor
        assertThat(claims).containsEntry("sub", "alice@example.com").containsEntry("tenant", "t1")
                .containsEntry("act", Map.of("sub", "agent-a"))
                .containsEntry("iss", "https://idp.example.com").containsEntry("aud", "https://broker.example.com");
        long now = Instant.now().getEpochSecond();
        assertThat(((Number) claims.get("exp")).longValue()).isBetween(now + 290, now + 310);
        assertThat(((Number) claims.get("iat")).longValue()).isBetween(now - 10, now + 1);
        assertThat(verifies("SHA256withRSA", tokens.publicKey(KeyKind.RSA), token)).isTrue();
    }

    @Test
    void es256SignatureIsRawRConcatSAndVerifies() throws Exception {
        String token = tokens.forAgent("agent-a").signEs256();

        assertThat(TestTokens.decodeSegment(token, 0)).containsEntry("alg", "ES256").containsEntry("kid", TestTokens.EC_KID);
        assertThat(B64URL.decode(token.split("\\.")[2])).hasSize(64);
        assertThat(verifies("SHA256withECDSAinP1363Format", tokens.publicKey(KeyKind.EC), token)).isTrue();
    }

    @Test
    void algNoneHasAnEmptySignature() {
        String token = tokens.forAgent("agent-a").unsigned();

        assertThat(token).endsWith(".");
        assertThat(token.split("\\.", -1)).hasSize(3).endsWith("");
        assertThat(TestTokens.decodeSegment(token, 0)).containsEntry("alg", "none").doesNotContainKey("kid");
    }

    @Test
    void hs256KeyConfusionTokenIsAnHmacKeyedWithThePublicKeyBytes() throws Exception {
        String token = tokens.forAgent("agent-a").signHs256WithRsaPublicKey();

        assertThat(TestTokens.decodeSegment(token, 0)).containsEntry("alg", "HS256").containsEntry("kid", TestTokens.RSA_KID);
        int dot = token.lastIndexOf('.');
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(tokens.publicKey(KeyKind.RSA).getEncoded(), "HmacSHA256"));
        byte[] expected = mac.doFinal(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
        assertThat(B64URL.decode(token.substring(dot + 1))).isEqualTo(expected);
    }

    @Test
    void tamperedTokenHasTheChangedPayloadAndASignatureThatNoLongerMatches() throws Exception {
        String token = tokens.forAgent("agent-a").tampered();

        assertThat(TestTokens.decodeSegment(token, 1)).containsEntry("sub", "admin");
        assertThat(verifies("SHA256withRSA", tokens.publicKey(KeyKind.RSA), token)).isFalse();
    }

    @Test
    void builderControlsKidTimesIssuerAudienceAndSize() {
        Instant now = Instant.now();
        String token = tokens.forAgent("agent-a").kid("nobody-knows-me").issuer("https://evil.example.com")
                .audience("https://other.example.com", "https://third.example.com")
                .expiresIn(Duration.ofMinutes(-10)).notBeforeIn(Duration.ofMinutes(10)).sign();

        assertThat(TestTokens.decodeSegment(token, 0)).containsEntry("kid", "nobody-knows-me");
        Map<String, Object> claims = TestTokens.decodeSegment(token, 1);
        assertThat(claims).containsEntry("iss", "https://evil.example.com")
                .containsEntry("aud", java.util.List.of("https://other.example.com", "https://third.example.com"));
        assertThat(((Number) claims.get("exp")).longValue()).isLessThan(now.getEpochSecond() - 500);
        assertThat(((Number) claims.get("nbf")).longValue()).isGreaterThan(now.getEpochSecond() + 500);

        assertThat(TestTokens.decodeSegment(tokens.forAgent("a").withoutKid().sign(), 0)).doesNotContainKey("kid");
        assertThat(tokens.forAgent("a").padded(20_000).sign().length()).isGreaterThan(20_000);
        assertThat(TestTokens.decodeSegment(tokens.withoutAgent().sign(), 1)).doesNotContainKey("sub");
    }

    @Test
    void jwksRendersBothPublicKeysExactly() throws Exception {
        JsonNode keys = JSON.readTree(tokens.jwksJson()).get("keys");
        assertThat(keys).hasSize(2);

        JsonNode rsa = keys.get(0);
        assertThat(rsa.get("kty").asText()).isEqualTo("RSA");
        assertThat(rsa.get("kid").asText()).isEqualTo(TestTokens.RSA_KID);
        assertThat(rsa.get("alg").asText()).isEqualTo("RS256");
        PublicKey rebuiltRsa = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                unsigned(rsa.get("n").asText()), unsigned(rsa.get("e").asText())));
        assertThat(rebuiltRsa.getEncoded()).isEqualTo(tokens.publicKey(KeyKind.RSA).getEncoded());

        JsonNode ec = keys.get(1);
        assertThat(ec.get("kty").asText()).isEqualTo("EC");
        assertThat(ec.get("crv").asText()).isEqualTo("P-256");
        assertThat(ec.get("kid").asText()).isEqualTo(TestTokens.EC_KID);
        assertThat(B64URL.decode(ec.get("x").asText())).hasSize(32);
        assertThat(B64URL.decode(ec.get("y").asText())).hasSize(32);
        AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
        parameters.init(new ECGenParameterSpec("secp256r1"));
        PublicKey rebuiltEc = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
                new ECPoint(unsigned(ec.get("x").asText()), unsigned(ec.get("y").asText())),
                parameters.getParameterSpec(ECParameterSpec.class)));
        assertThat(rebuiltEc.getEncoded()).isEqualTo(tokens.publicKey(KeyKind.EC).getEncoded());

        assertThat(JSON.readTree(tokens.jwksJson(KeyKind.EC)).get("keys")).hasSize(1);
    }

    @Test
    void publicKeyPemRoundTrips(@TempDir Path dir) throws Exception {
        for (KeyKind kind : KeyKind.values()) {
            Path file = tokens.writePublicKeyPem(dir.resolve("keys").resolve(kind + ".pem"), kind);
            String pem = Files.readString(file);
            assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
            PublicKey decoded = KeyFactory.getInstance(kind == KeyKind.RSA ? "RSA" : "EC")
                    .generatePublic(new X509EncodedKeySpec(der));
            assertThat(decoded).isEqualTo(tokens.publicKey(kind));
        }
    }

    @Test
    void jwksServerServesTheSetOnLoopbackAndCountsRequests() throws Exception {
        try (JwksServer server = JwksServer.start(tokens); HttpClient http = HttpClient.newHttpClient()) {
            assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.uri()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(response.body()).isEqualTo(tokens.jwksJson());
            assertThat(server.requestCount()).isEqualTo(1);

            server.failWith(503);
            assertThat(http.send(HttpRequest.newBuilder(server.uri()).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isEqualTo(503);
            server.failWith(0);
            server.serve(() -> "{\"keys\":[]}");
            assertThat(http.send(HttpRequest.newBuilder(server.uri()).build(), HttpResponse.BodyHandlers.ofString())
                    .body()).isEqualTo("{\"keys\":[]}");
            assertThat(server.requestCount()).isEqualTo(3);
            server.resetCount();
            assertThat(server.requestCount()).isZero();
        }
    }

    @Test
    void exportedKeysSignTheSameTokensAndSharedKeysAreTheSameEverywhere() throws Exception {
        TestTokens imported = TestTokens.fromExportedKeys(tokens.exportKeys(), "https://idp.example.com", "aud");
        assertThat(imported.jwksJson()).isEqualTo(tokens.jwksJson());
        assertThat(verifies("SHA256withRSA", tokens.publicKey(KeyKind.RSA), imported.forAgent("a").sign())).isTrue();
        assertThat(verifies("SHA256withECDSAinP1363Format", tokens.publicKey(KeyKind.EC), imported.forAgent("a").signEs256()))
                .isTrue();

        TestTokens first = TestTokens.shared("test-tokens-test", "https://idp.example.com", "aud-1");
        TestTokens second = TestTokens.shared("test-tokens-test", "https://other-idp.example.com", "aud-2");
        assertThat(second.jwksJson()).isEqualTo(first.jwksJson()).isNotEqualTo(tokens.jwksJson());
        assertThat(second.issuer()).isEqualTo("https://other-idp.example.com");
    }

    @Test
    void sharedJwksServerIsOneServerControlledThroughEveryHandle() throws Exception {
        JwksServer first = JwksServer.shared("test-tokens-test", tokens::jwksJson);
        JwksServer second = JwksServer.shared("test-tokens-test", () -> "ignored");
        assertThat(second.uri()).isEqualTo(first.uri());
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpRequest get = HttpRequest.newBuilder(first.uri()).build();
            first.resetCount();
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo(tokens.jwksJson());
            assertThat(second.requestCount()).isEqualTo(1);

            second.failWith(503);
            assertThat(http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(503);
            first.failWith(0);
            second.serve(() -> "{\"keys\":[]}");
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("{\"keys\":[]}");
            assertThat(first.requestCount()).isEqualTo(3);
            second.close(); // no-op for shared servers
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    private static boolean verifies(String algorithm, PublicKey key, String token) throws Exception {
        int dot = token.lastIndexOf('.');
        Signature signature = Signature.getInstance(algorithm);
        signature.initVerify(key);
        signature.update(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
        return signature.verify(B64URL.decode(token.substring(dot + 1)));
    }

    private static BigInteger unsigned(String base64url) {
        return new BigInteger(1, B64URL.decode(base64url));
    }
}
