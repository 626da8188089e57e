"""Episodes of care: one painful-fracture journey from referral to closing."""
