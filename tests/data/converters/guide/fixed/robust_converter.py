"""The guide's RobustConverter ("Pattern: Converter Failures"), with _parse_file,
_validate and the ReportBuilder arguments filled in."""

from pywats.tools import ReportBuilder
from pywats_client.converters import ConverterResult, FileConverter


class RobustConverter(FileConverter):
    def _parse_file(self, text):
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    def _validate(self, data):
        return "part_number" in data and "serial_number" in data

    def convert(self, source, context):
        try:
            # Parse file
            data = self._parse_file(source.read_text())
            
            # Validate data
            if not self._validate(data):
                return ConverterResult.failure(
                    "Validation failed: Missing required fields"
                )
            
            # Build report
            builder = ReportBuilder(part_number=data["part_number"], serial_number=data["serial_number"])
            builder.add_step(name="Voltage", value=float(data["voltage"]), unit="V", limits=(4.5, 5.5))
            return ConverterResult.success(builder.to_dict())
        
        except ValueError as e:
            # Data format error
            return ConverterResult.failure(f"Parse error: {e}")
        
        except Exception as e:
            # Unexpected error
            context.log_error(f"Converter crash: {e}")
            return ConverterResult.failure(f"Internal error: {e}")
