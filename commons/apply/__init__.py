"""The online application (the apply wizard): a guided form in steps that saves a draft
proposal at every step.

Step one creates the draft; every later step saves into it, so a proponent can leave and come
back (``/proposals/mine`` lists drafts with a link to resume). The "check your answers" page
shows everything with links to change it, and submits through ``workflows.fire``. After
submission: the protocol number and a PDF receipt.
"""
