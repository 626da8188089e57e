"""Recovery after the procedure: time-stamped observations with live NEWS2, alerts that stay until
acknowledged, Aldrete and PADSS, the recovery board, discharge readiness and discharge."""
