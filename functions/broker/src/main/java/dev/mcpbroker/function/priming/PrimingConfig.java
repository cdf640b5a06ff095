package dev.mcpbroker.function.priming;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Priming ({@code broker.priming.*}): running the broker's first-request code paths once, offline, so that their
 * classes are loaded and compiled before a request pays for it. See {@link SnapStartPriming}.
 */
@ConfigMapping(prefix = "broker.priming")
public interface PrimingConfig {

    /**
     * Whether to prime before a SnapStart snapshot is taken (the CRaC {@code beforeCheckpoint} hook that Lambda calls
     * after init, on publishing a version). Without SnapStart the hook never runs.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * Prime during init as well, without waiting for a checkpoint: for instances initialised ahead of traffic
     * (provisioned concurrency), and to measure priming locally, where no snapshot is ever taken. Off by default: a
     * plain on-demand cold start would only move the work from the first request into init, and add to it.
     */
    @WithDefault("false")
    boolean atStartup();
}
