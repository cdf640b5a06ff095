package dev.mcpbroker.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LocalRunOptionsTest {

    private static final Path LOGS = Path.of("/tmp/logs");

    private static LocalRunOptions parse(String... args) {
        return LocalRunOptions.parse(args, LOGS);
    }

    @Test
    void withoutOptionsEverythingHasItsDocumentedDefault() {
        LocalRunOptions options = parse();

        assertThat(options.port()).isEqualTo(8790);
        assertThat(options.awsPorts()).isEqualTo(8791);
        assertThat(options.emulatorPorts().fixed().values()).containsExactly(8791, 8792, 8793, 8794, 8795);
        assertThat(options.issuer()).isEmpty();
        assertThat(options.audience()).isEmpty();
        assertThat(options.upstreams()).isEmpty();
        assertThat(options.otlp()).isEmpty();
        assertThat(options.maintenanceEvery()).isEmpty();
        assertThat(options.withEverything()).isTrue();
        assertThat(options.logDir()).isEqualTo(LOGS);
    }

    @Test
    void everyOptionIsRead() {
        LocalRunOptions options = parse("--port", "9000", "--aws-ports", "9100", "--issuer", "https://idp.example",
                "--jwks-url", "https://idp.example/jwks.json", "--audience", "https://broker.example",
                "--upstream", "crm=http://127.0.0.1:3001/mcp", "--upstream", "files_2=https://files.example/mcp",
                "--otlp", "http://127.0.0.1:4318", "--maintenance-every", "10s", "--no-everything", "--logs", "/tmp/other");

        assertThat(options.port()).isEqualTo(9000);
        assertThat(options.awsPorts()).isEqualTo(9100);
        assertThat(options.issuer()).contains("https://idp.example");
        assertThat(options.jwksUrl()).contains(URI.create("https://idp.example/jwks.json"));
        assertThat(options.audience()).contains("https://broker.example");
        assertThat(options.upstreams()).isEqualTo(Map.of("crm", URI.create("http://127.0.0.1:3001/mcp"),
                "files_2", URI.create("https://files.example/mcp")));
        assertThat(options.otlp()).isEqualTo(Optional.of(URI.create("http://127.0.0.1:4318")));
        assertThat(options.maintenanceEvery()).contains(Duration.ofSeconds(10));
        assertThat(options.withEverything()).isFalse();
        assertThat(options.logDir()).isEqualTo(Path.of("/tmp/other"));
    }

    @Test
    void durationsTakeShortAndIsoForms() {
        assertThat(LocalRunOptions.duration("--maintenance-every", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(LocalRunOptions.duration("--maintenance-every", "PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(LocalRunOptions.duration("--maintenance-every", "1500ms")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void commandLinesThatCannotRunAreRefusedWithTheReason() {
        assertThatThrownBy(() -> parse("--port", "http")).hasMessageContaining("--port takes a port");
        assertThatThrownBy(() -> parse("--port", "70000")).hasMessageContaining("--port takes a port");
        assertThatThrownBy(() -> parse("--port")).hasMessageContaining("--port needs a value");
        assertThatThrownBy(() -> parse("--port", "8792")).hasMessageContaining("one of the emulators' ports 8791..8795");
        assertThatThrownBy(() -> parse("--aws-ports", "65533")).hasMessageContaining("leaves no room");
        assertThatThrownBy(() -> parse("--issuer", "https://idp.example")).hasMessageContaining("go together");
        assertThatThrownBy(() -> parse("--jwks-url", "idp.example/jwks")).hasMessageContaining("http(s) URL");
        assertThatThrownBy(() -> parse("--upstream", "http://127.0.0.1:3001/mcp")).hasMessageContaining("<id>=<url>");
        assertThatThrownBy(() -> parse("--upstream", "payments=http://127.0.0.1:3001/mcp")).hasMessageContaining("already registered");
        assertThatThrownBy(() -> parse("--upstream", "a=http://x/mcp", "--upstream", "a=http://y/mcp")).hasMessageContaining("already registered");
        assertThatThrownBy(() -> parse("--maintenance-every", "0s")).hasMessageContaining("at least 1s");
        assertThatThrownBy(() -> parse("--verbose")).hasMessageContaining("unknown option '--verbose'");
        assertThat(LocalRunOptions.USAGE).contains("--port").contains("--aws-ports").contains("--issuer").contains("--jwks-url")
                .contains("--audience").contains("--upstream").contains("--otlp").contains("--maintenance-every");
    }
}
