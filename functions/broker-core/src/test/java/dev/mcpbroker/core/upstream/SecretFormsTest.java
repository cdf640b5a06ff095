package dev.mcpbroker.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretFormsTest {

    @Test
    void aBase64CoreOccursInTheEncodingOfAnyTextHoldingTheSecretWhateverSurroundsIt() {
        Random random = new Random(7);
        SecretForms forms = SecretForms.forText(Set.of("upstream-ledger-secret-4f9a1c"));
        byte[] secret = "upstream-ledger-secret-4f9a1c".getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < 300; round++) {
            byte[] before = new byte[random.nextInt(10)];
            byte[] after = new byte[random.nextInt(10)];
            random.nextBytes(before);
            random.nextBytes(after);
            byte[] whole = new byte[before.length + secret.length + after.length];
            System.arraycopy(before, 0, whole, 0, before.length);
            System.arraycopy(secret, 0, whole, before.length, secret.length);
            System.arraycopy(after, 0, whole, before.length + secret.length, after.length);
            String standard = Base64.getEncoder().encodeToString(whole);
            String url = Base64.getUrlEncoder().withoutPadding().encodeToString(whole);
            assertThat(forms.base64Cores()).as("round %d", round)
                    .anySatisfy(core -> assertThat(standard).contains(core))
                    .anySatisfy(core -> assertThat(url).contains(core));
        }
    }

    @Test
    void coresLeaveOutTheCharactersThatMixInNeighbouringBytes() {
        byte[] secret = "abcdef".getBytes(StandardCharsets.US_ASCII);
        assertThat(SecretForms.base64Core(secret, 0)).isEqualTo("YWJjZGVm");
        // "?abcdef" encodes as "P2FiY2RlZg": the first two characters carry bits of '?'.
        assertThat(SecretForms.base64Core(secret, 1)).isEqualTo("FiY2RlZ");
        assertThat(SecretForms.base64Core(secret, 2)).hasSize(7);
    }

    @Test
    void secretsShorterThanSixCharactersYieldNoForms() {
        assertThat(SecretForms.forText(Set.of("abcde")).isEmpty()).isTrue();
        assertThat(SecretForms.forText(Set.of("abcdef")).isEmpty()).isFalse();
    }

    @Test
    void foldingKeepsEveryPositionAndLeavesLowerCaseTextAsIs() {
        String lower = "already lower 123";
        assertThat(SecretForms.fold(lower)).isSameAs(lower);
        String dotted = "\u0130STANBUL";
        assertThat(SecretForms.fold(dotted)).hasSameSizeAs(dotted).endsWith("stanbul");
    }

    @Test
    void formsNeverAppearInToString() {
        assertThat(SecretForms.forText(Set.of("upstream-ledger-secret-4f9a1c")).toString())
                .doesNotContain("upstream").doesNotContain("dXBzdHJlYW0");
        assertThat(SecretRedactor.of(Set.of("upstream-ledger-secret-4f9a1c")).toString()).doesNotContain("upstream");
    }
}
