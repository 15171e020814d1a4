"""The parts of the core that talk to AWS endpoints (STS, console federation)."""
