"""The participant record's sections and casework forms, one component each (issue 13).

`pages/participant.py` decides what the role may see and lays out the tabs; each form here draws
its widgets (keys, labels and messages unchanged) and saves through `RecordPage.save`.
"""
