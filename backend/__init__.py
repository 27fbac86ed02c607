"""Sportello domain library: the portal's accounts, codes, delegations, supplies and practices.

Services are plain functions taking a unit of work (see ``backend.uow``); nothing here
imports Rasa.
"""
