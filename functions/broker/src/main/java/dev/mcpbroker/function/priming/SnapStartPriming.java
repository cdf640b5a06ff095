package dev.mcpbroker.function.priming;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mcpbroker.core.jsonrpc.JsonRpcCodec;
import dev.mcpbroker.function.AwsClients;
import dev.mcpbroker.function.BrokerConfig;
import dev.mcpbroker.function.BrokerProducer;
import dev.mcpbroker.function.auth.AuthConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.jboss.logging.Logger;

/**
 * SnapStart readiness. Quarkus starts the whole application during Lambda's init phase (SnapStart's full warm-up),
 * so a snapshot already holds a started broker; this adds {@link Primer}'s exercise of the paths every first
 * request takes (Jackson codecs, token verification, the AWS SDK's marshallers and signing, the upstream HTTP
 * client, Lambda's HTTP handler) in the CRaC {@code beforeCheckpoint} hook Lambda calls before it takes the snapshot, so that restored
 * instances find those classes loaded, initialised and compiled. Priming talks only to its own loopback fixture:
 * no AWS service, no upstream, no state.
 *
 * <p>Outside Lambda the org.crac context has no checkpoints and the hook never runs; {@link PrimingConfig#atStartup()}
 * primes during init instead (provisioned instances, local measurement).
 */
@ApplicationScoped
public class SnapStartPriming implements Resource {

    private static final Logger LOG = Logger.getLogger(SnapStartPriming.class);

    private final PrimingConfig config;
    private final Primer primer;

    @Inject
    public SnapStartPriming(PrimingConfig config, ObjectMapper mapper, JsonRpcCodec codec, AwsClients awsClients,
                            BrokerConfig brokerConfig, AuthConfig auth) {
        this.config = config;
        this.primer = new Primer(mapper, codec, awsClients, servedHost(brokerConfig, auth));
    }

    /** A host the broker admits (the first configured one, or the resource URL's when any host is admitted). */
    static String servedHost(BrokerConfig config, AuthConfig auth) {
        return BrokerProducer.servedHosts(config.http().allowedHosts(), auth.resource()).stream().sorted().findFirst()
                .orElse(auth.resource().getHost());
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        // this bean lives as long as the application, so the context's reference to it cannot be collected
        Core.getGlobalContext().register(this);
        if (config.atStartup()) {
            prime("init", false);
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime("before checkpoint", true);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing to renew: priming left no connection, key or cached state behind
    }

    private void prime(String when, boolean throughHandler) {
        Primer.Report report = primer.prime(throughHandler);
        if (report.failed().isEmpty()) {
            LOG.infof("primed (%s) in %d ms: %s", when, report.millis(), report.primed());
        } else {
            // priming is an optimisation: a part that fails leaves that path cold, it never stops the function
            LOG.warnf("primed (%s) in %d ms: %s; not primed: %s", when, report.millis(), report.primed(), report.failed());
        }
    }
}
