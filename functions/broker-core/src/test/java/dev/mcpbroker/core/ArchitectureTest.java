package dev.mcpbroker.core;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The shape of broker-core that reviews alone would not keep. */
class ArchitectureTest {

    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.mcpbroker.core");

    @Test
    void packagesOfTheCoreDependOnEachOtherWithoutCycles() {
        slices().matching("dev.mcpbroker.core.(*)..").should().beFreeOfCycles().check(CORE);
    }
}
