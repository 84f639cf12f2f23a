"""Planning helpers: publishing slots, directive rules and the planning inputs."""
