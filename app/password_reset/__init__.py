"""Self-service password reset by e-mail: the link, its limits and its pages."""
