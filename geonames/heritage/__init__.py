"""heritage"""
