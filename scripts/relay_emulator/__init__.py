"""The embedded AWS: a moto server on 127.0.0.1 plus Relay's extensions where moto falls short."""
