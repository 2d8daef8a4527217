"""The guide's "Process in converter" example, with its missing pieces filled in
(imports and a _parse_file for a simple key=value format)."""

from pywats.tools import ReportBuilder
from pywats_client.converters import ConverterResult, FileConverter


class FCTConverter(FileConverter):
    def _parse_file(self, text):
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    def convert(self, source, context):
        data = self._parse_file(source.read_text())
        
        builder = ReportBuilder(
            part_number=data["part_number"],
            serial_number=data["serial_number"]
        )
        
        # Set operation type (test_operation in WATS)
        builder.set_operation_type("FCT")  # or "Functional Test"
        
        # Important: Each station creates separate report
        # WATS links them by serial_number
        
        return ConverterResult.success(builder.to_dict())
