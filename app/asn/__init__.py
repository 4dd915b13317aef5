"""ASN identity facts: NIP and NI PPPK, golongan and pangkat. Pure rules, no database, so every
domain (accounts, people, certificates) may use them without depending on each other."""
