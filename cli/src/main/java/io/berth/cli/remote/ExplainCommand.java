package io.berth.cli.remote;

import io.berth.cli.Args;
import io.berth.cli.UsageException;
import io.berth.client.registry.Credentials;
import io.berth.client.registry.RegistriesConf;
import io.berth.spec.Reference;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code berth explain REF}: how a reference resolves: its canonical form, the registries.conf entry
 * that matches it, where pulls go (mirrors first) and where pushes go, and whether credentials are
 * configured for each host.
 */
public final class ExplainCommand {
    private ExplainCommand() {}

    public static void run(List<String> argv, PrintStream out) {
        Args a = Args.parse("explain", argv, Set.of(), Set.of());
        String s = a.positionals(1, "an image reference").getFirst();
        Reference r;
        try {
            r = Reference.parse(s.startsWith("docker://") ? s.substring("docker://".length()) : s);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        RegistriesConf conf = RegistriesConf.load(System.getenv());
        out.println("reference: " + r);
        out.println("registries.conf entry: " + conf.match(r).map(e -> "prefix \"" + e.prefix() + "\" -> \""
                + e.location() + "\"" + (e.insecure() ? " (insecure)" : "")).orElse("none"));
        List<RegistriesConf.Endpoint> pulls = conf.pullEndpoints(r);
        for (int i = 0; i < pulls.size(); i++) {
            out.println("pull " + (i + 1) + ": " + pulls.get(i) + creds(pulls.get(i).host()));
        }
        RegistriesConf.Endpoint push = conf.pushEndpoint(r);
        out.println("push: " + push + creds(push.host()));
        out.println("local store name: " + LocalStore.tag(r));
    }

    private static String creds(String host) {
        return Credentials.lookup(host, Credentials.files(System.getenv())).map(c -> " [credentials: " + c.user() + "]")
                .orElse(" [anonymous]");
    }
}
