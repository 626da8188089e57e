"""The CDS Hooks 2.0 service an EHR calls: discovery, hooks, cards and feedback."""
