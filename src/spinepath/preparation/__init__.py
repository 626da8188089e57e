"""Preparing the patient for the procedure: the plan, its signature and the patient's copies.

- ``service``: the use cases (compute a plan from JSON; store an episode's inputs and plan;
  sign it; hand out the patient's copies), each authorised and audited.
- ``patient_text``: the signed plan in plain language, in the clinic's time zone; the web page,
  the PDF (``pdf``) and the calendar file (``ics``) are all built from it.
- ``education``: the public pages that explain the fracture, the procedure and recovery.
- ``api`` and ``web``: thin routes over the service.
"""
