package io.berth.cli;

import io.berth.cli.image.ImageCommand;
import io.berth.cli.remote.CopyCommand;
import io.berth.cli.remote.ExplainCommand;
import io.berth.cli.remote.InspectCommand;
import io.berth.cli.remote.LoginCommand;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The {@code berth} command. Thin: parses the command line and calls the library. Exit status 0 on
 * success, 1 with a one-line error on stderr when the operation fails, 2 for a bad command line.
 */
public final class Main {
    static final String HELP = """
            Usage: berth COMMAND [ARGS...]

            Commands:
              image create    make an image from a directory (new layer, config, manifest, tag)
              image add-layer add a layer made from a directory to an existing image
              image ls        list the tags of an OCI image layout
              image inspect   print an image's manifest, config and index as JSON
              image unpack    unpack an image into a runtime bundle (config.json + rootfs/); a name
                              without oci: is an image in the local store (see pull)
              image gc        remove blobs no tag references from a layout
              copy SRC DST    copy an image between registries (docker://) and layouts (oci:)
                              [--all] [--platform P] [--src-tls-verify=false] [--dest-tls-verify=false]
              pull REF        copy a registry image into the local store ($BERTH_STORE)
              push REF        copy an image from the local store to its registry
              inspect REF     print a registry image's digest, manifest and config (--tags, --raw)
              registry serve  run the registry [--addr 127.0.0.1:5000] [--root DIR] [--config FILE]
              registry gc     remove unreferenced registry blobs (--root DIR)
              explain REF     how a reference resolves (registries.conf mirrors, push target, credentials)
              login HOST      store credentials (-u USER --password-stdin); logout HOST removes them
              help            show this help (also: --help, -h; "berth image --help")

            Images are named oci:LAYOUT[:TAG] or oci:LAYOUT@DIGEST and docker://HOST/REPO[:TAG|@DIGEST]
            (skopeo's transports). Registries on 127.0.0.1/localhost are spoken to over plain HTTP.
            Set BERTH_DEBUG=1 for stack traces.
            """;

    private Main() {}

    public static void main(String[] args) {
        int rc = run(List.of(args), System.out, System.err);
        System.out.flush();
        // Registry clients' selector threads wait in epoll; HotSpot's exit waits ~0.3 s for such threads.
        io.berth.client.registry.RegistryClient.closeAll();
        if (rc != 0) {
            System.exit(rc);
        }
    }

    /** Runs one command; returns the exit status. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        try {
            if (args.isEmpty()) {
                err.print(HELP);
                return 2;
            }
            String cmd = args.getFirst();
            List<String> rest = args.subList(1, args.size());
            switch (cmd) {
                case "help", "--help", "-h" -> out.print(HELP);
                case "image" -> ImageCommand.run(rest, out);
                case "copy" -> CopyCommand.copy(rest, out, err);
                case "pull" -> CopyCommand.pull(rest, out, err);
                case "push" -> CopyCommand.push(rest, out, err);
                case "inspect" -> InspectCommand.run(rest, out);
                case "registry" -> registry(rest, out);
                case "explain" -> ExplainCommand.run(rest, out);
                case "login" -> LoginCommand.login(rest, out);
                case "logout" -> LoginCommand.logout(rest, out);
                case "__aot-train" -> AotTraining.run(rest, out);
                default -> throw new UsageException("unknown command \"" + cmd + "\" (see berth --help)");
            }
            return 0;
        } catch (UsageException e) {
            err.println("berth: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            report(err, e);
            return 1;
        }
    }

    /** {@code berth registry serve|gc}: the distribution-spec server (registry module). */
    private static void registry(List<String> rest, PrintStream out) {
        try {
            io.berth.registry.RegistryMain.run(rest, out);
        } catch (IllegalArgumentException e) {
            throw new UsageException("registry: " + e.getMessage());
        }
    }

    private static void report(PrintStream err, RuntimeException e) {
        if (System.getenv("BERTH_DEBUG") != null) {
            e.printStackTrace(err);
        }
        String msg = e.getMessage();
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            IOException io = u.getCause();
            msg = (msg == null ? "" : msg + ": ") + describe(io);
        } else if (msg == null) {
            msg = e.getClass().getSimpleName();
        }
        err.println("berth: " + msg.replace('\n', ' '));
    }

    /** An IOException as one line: Java's NoSuchFileException and friends carry only the path. */
    static String describe(IOException io) {
        String kind = switch (io) {
            case java.nio.file.NoSuchFileException _ -> "no such file or directory";
            case java.nio.file.AccessDeniedException _ -> "permission denied";
            case java.nio.file.FileAlreadyExistsException _ -> "file exists";
            case java.nio.file.NotDirectoryException _ -> "not a directory";
            case java.nio.file.DirectoryNotEmptyException _ -> "directory not empty";
            default -> null;
        };
        return kind == null ? String.valueOf(io.getMessage()) : io.getMessage() + ": " + kind;
    }
}
