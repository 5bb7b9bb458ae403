"""The golden trees are generated projects: data to compare against, never tests to run."""

collect_ignore_glob = ["*"]
