package io.berth.image.create;

import io.berth.spec.ImageConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Changes to an image's execution parameters (config.md "config"), applied over the base image's:
 * entrypoint and cmd replace (and a new entrypoint clears an inherited cmd, as Docker does), env
 * entries replace same-named ones, labels merge.
 */
public record ImageChanges(
        Optional<List<String>> entrypoint,
        Optional<List<String>> cmd,
        List<String> env,
        Optional<String> workingDir,
        Optional<String> user,
        Map<String, String> labels) {

    public static final ImageChanges NONE = new ImageChanges(Optional.empty(), Optional.empty(), List.of(),
            Optional.empty(), Optional.empty(), Map.of());

    public ImageChanges {
        env = List.copyOf(env);
        labels = Map.copyOf(labels);
        for (String e : env) {
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("env \"" + e + "\": expected NAME=VALUE");
            }
        }
    }

    public ImageConfig.Config applyTo(ImageConfig.Config c) {
        ImageConfig.Config out = c;
        if (entrypoint.isPresent()) {
            out = out.withEntrypoint(entrypoint.get());
            if (cmd.isEmpty()) {
                out = out.withCmd(List.of());
            }
        }
        if (cmd.isPresent()) {
            out = out.withCmd(cmd.get());
        }
        if (!env.isEmpty()) {
            Map<String, String> merged = new LinkedHashMap<>();
            for (String e : out.env()) {
                int eq = e.indexOf('=');
                merged.put(eq < 0 ? e : e.substring(0, eq), e);
            }
            for (String e : env) {
                merged.put(e.substring(0, e.indexOf('=')), e);
            }
            out = out.withEnv(new ArrayList<>(merged.values()));
        }
        if (workingDir.isPresent()) {
            out = out.withWorkingDir(workingDir);
        }
        if (user.isPresent()) {
            out = out.withUser(user);
        }
        if (!labels.isEmpty()) {
            Map<String, String> l = new LinkedHashMap<>(out.labels());
            l.putAll(labels);
            out = out.withLabels(l);
        }
        return out;
    }
}
