"""The XLSForm for field registration with ODK Collect or KoBoToolbox.

`spec.py` is the form written to be read; `build.py` turns it into
`household_registration.xlsx` (`python -m homecoming.registry.xlsform.build`).
"""
