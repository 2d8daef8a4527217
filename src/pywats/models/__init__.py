"""pyWATS data models: the WSJF report model (:mod:`pywats.models.report`), the process
name/code cache (:mod:`pywats.models.process_codes`) and the REST resource models."""
