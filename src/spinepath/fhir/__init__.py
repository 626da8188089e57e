"""FHIR R4 in and out: reading bundles, mapping resources to facts, the episode export."""
