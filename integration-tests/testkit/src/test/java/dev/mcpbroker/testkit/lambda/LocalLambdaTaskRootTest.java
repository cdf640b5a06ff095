package dev.mcpbroker.testkit.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalLambdaTaskRootTest {

    private static final Path LOGS = Path.of("/tmp/logs");

    @Test
    void twoPackagesOfTheSameFileNameAreUnpackedApart() {
        assertThat(LocalLambda.taskRootOf(Path.of("/work/a/function.zip"), LOGS))
                .isNotEqualTo(LocalLambda.taskRootOf(Path.of("/work/b/function.zip"), LOGS));
    }

    @Test
    void onePackageNamedTwoWaysSharesOneCopy() {
        assertThat(LocalLambda.taskRootOf(Path.of("/work/a/function.zip"), LOGS))
                .isEqualTo(LocalLambda.taskRootOf(Path.of("/work/a/../a/function.zip"), LOGS));
        assertThat(LocalLambda.taskRootOf(Path.of("/work/a/function.zip"), LOGS).getParent()).isEqualTo(LOGS);
    }
}
