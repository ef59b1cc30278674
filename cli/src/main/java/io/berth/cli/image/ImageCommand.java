package io.berth.cli.image;

import io.berth.cli.UsageException;
import java.io.PrintStream;
import java.util.List;

/** {@code berth image SUBCOMMAND}: dispatch only; each verb lives in its own class. */
public final class ImageCommand {
    static final String HELP = """
            Usage: berth image SUBCOMMAND [ARGS...]

              create --from-dir DIR [--base oci:LAYOUT:TAG] [--entrypoint ARG]... [--cmd ARG]...
                     [--env K=V]... [--workdir DIR] [--user USER] [--label K=V]...
                     [--compression gzip|zstd|none] [--platform os/arch] [--lower DIR] oci:LAYOUT:TAG
              add-layer --from-dir DIR [--lower DIR] [--compression ...] [--tag NEW] oci:LAYOUT:TAG
              unpack [--platform os/arch] [--force] oci:LAYOUT:TAG BUNDLE_DIR
              inspect [--platform os/arch] [--manifest|--config|--index] oci:LAYOUT:TAG
              ls [--format table|json] oci:LAYOUT
              gc oci:LAYOUT
            """;

    private ImageCommand() {}

    public static void run(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            throw new UsageException("image: missing subcommand (see berth image --help)");
        }
        List<String> rest = args.subList(1, args.size());
        switch (args.getFirst()) {
            case "create" -> ImageCreate.run(rest, out, false);
            case "add-layer" -> ImageCreate.run(rest, out, true);
            case "unpack" -> ImageUnpack.run(rest, out);
            case "inspect" -> ImageInspect.run(rest, out);
            case "ls", "list" -> ImageList.run(rest, out);
            case "gc" -> ImageGc.run(rest, out);
            case "help", "--help", "-h" -> out.print(HELP);
            default -> throw new UsageException("image: unknown subcommand \"" + args.getFirst()
                    + "\" (see berth image --help)");
        }
    }
}
