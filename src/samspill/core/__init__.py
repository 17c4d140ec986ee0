"""The pure core: plain data in, plain data out. No web, database or CLI imports here."""
