package dev.mcpbroker.admin;

import dev.mcpbroker.core.policy.AgentGrant;
import dev.mcpbroker.core.upstream.UpstreamServer;

/** One line per server or grant, tab-separated, as {@code list-servers} and {@code list-grants} print them. */
final class Listing {

    private Listing() {
    }

    static String server(UpstreamServer s) {
        return s.id() + "\t" + s.endpoint() + "\tauth=" + s.auth().scheme()
                + (s.controls().killed() ? "\tKILLED" : "")
                + (s.controls().killedTools().isEmpty() ? "" : "\tkilled tools=" + s.controls().killedTools())
                + (s.controls().killedResources().isEmpty() ? "" : "\tkilled resources=" + s.controls().killedResources())
                + (s.controls().killedPrompts().isEmpty() ? "" : "\tkilled prompts=" + s.controls().killedPrompts())
                + (s.toolPolicy().readOnlyTools().isEmpty() ? "" : "\tread-only=" + s.toolPolicy().readOnlyTools())
                + (s.toolPolicy().stateChangingTools().isEmpty() ? "" : "\tstate-changing=" + s.toolPolicy().stateChangingTools())
                + s.toolPolicy().requireIdempotencyKey().map(r -> r ? "\tkeys=required" : "\tkeys=optional").orElse("")
                + (s.sessionLimits().maxSessions().isPresent() ? "\tmax-sessions=" + s.sessionLimits().maxSessions().getAsInt() : "")
                + (s.sessionLimits().warmSessions() > 0 ? "\twarm=" + s.sessionLimits().warmSessions() : "")
                + (s.sessionLimits().maxSessionsPerTenant().isPresent()
                        ? "\tper-tenant=" + s.sessionLimits().maxSessionsPerTenant().getAsInt() : "")
                + (s.sessionLimits().maxSessionsPerAgent().isPresent()
                        ? "\tper-agent=" + s.sessionLimits().maxSessionsPerAgent().getAsInt() : "");
    }

    static String grant(AgentGrant g) {
        StringBuilder line = new StringBuilder(g.agentId()).append("\ttenant=").append(g.tenantId());
        g.servers().values().forEach(s -> line.append("\t").append(s.serverId())
                .append(s.toolRules().map(t -> "=" + String.join(",", t)).orElse("=*"))
                .append(s.resources() == null ? "" : " resources=" + String.join(",", s.resources()))
                .append(s.prompts() == null ? "" : " prompts=" + String.join(",", s.prompts()))
                .append(s.methods() == null ? "" : " methods=" + String.join(",", s.methods())));
        g.rate().ifPresent(r -> line.append("\trate=").append(r.perSecond()).append("/s burst ").append(r.burst()));
        return line.toString();
    }
}
