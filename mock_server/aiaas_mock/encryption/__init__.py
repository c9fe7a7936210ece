"""End-to-end encrypted payloads on the server side (protocol in aiaas.envelope)."""
