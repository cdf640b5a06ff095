package dev.mcpbroker.core.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class UpstreamAffinityTest {

    @Test
    void setCookiesAreKeptByNameAndReplayedAsOneCookieHeader() {
        UpstreamAffinity affinity = UpstreamAffinity.NONE.merge(List.of(
                "mcp_replica=127.0.0.1:5001; Path=/; HttpOnly", "AWSALB=abc123; Expires=Wed, 09 Jun 2100 10:18:14 GMT; Path=/"));
        assertThat(affinity.cookies()).isEqualTo(Map.of("mcp_replica", "127.0.0.1:5001", "AWSALB", "abc123"));
        assertThat(affinity.cookieHeader()).isEqualTo("AWSALB=abc123; mcp_replica=127.0.0.1:5001");
    }

    @Test
    void aChangedCookieReplacesTheOldValueAndAnExpiredOneIsDropped() {
        UpstreamAffinity affinity = new UpstreamAffinity(Map.of("a", "1", "b", "2"));
        UpstreamAffinity merged = affinity.merge(List.of("a=3", "b=gone; Max-Age=0"));
        assertThat(merged.cookies()).isEqualTo(Map.of("a", "3"));
    }

    @Test
    void unparseableSetCookieIsIgnoredRatherThanFailingTheCall() {
        UpstreamAffinity affinity = new UpstreamAffinity(Map.of("a", "1"));
        assertThat(affinity.merge(List.of("=novalue", ";;;"))).isEqualTo(affinity);
    }

    @Test
    void anUpstreamCannotGrowTheAffinityWithoutBound() {
        List<String> many = IntStream.range(0, 100).mapToObj(i -> "c" + i + "=v").toList();
        assertThat(UpstreamAffinity.NONE.merge(many).cookies()).hasSize(UpstreamAffinity.MAX_COOKIES);
        String huge = "big=" + "x".repeat(UpstreamAffinity.MAX_HEADER_LENGTH);
        assertThat(UpstreamAffinity.NONE.merge(List.of(huge)).isEmpty()).isTrue();
    }

    @Test
    void toStringNamesCookiesButNeverShowsTheirValues() {
        assertThat(new UpstreamAffinity(Map.of("session", "s3cr3t")).toString()).contains("session").doesNotContain("s3cr3t");
    }
}
