"""The corpus the maintenance-text models share: generated, labelled work orders
(``work_orders`` over ``vocabulary``), the real MaintIE gold set for evaluation
(``maintie``), the text input every text model takes (``inputs``) and how span
and triple predictions are scored (``scoring``)."""
