package io.berth.cli;

/** The {@code berth} command: dispatches to subcommands. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("berth: commands: image");
    }
}
