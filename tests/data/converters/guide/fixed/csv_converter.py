from typing import List

from pywats.tools import ReportBuilder
from pywats_client.converters import FileConverter, ConverterSource, ConverterResult
import csv

class CSVConverter(FileConverter):
    @property
    def name(self) -> str:
        return "CSV Test Converter"
    
    @property
    def file_patterns(self) -> List[str]:
        return ["*.csv"]
    
    def convert(self, source: ConverterSource, context) -> ConverterResult:
        try:
            # Parse CSV: a header block (names row, values row), then the step table
            lines = source.read_text().splitlines()
            header = next(csv.DictReader(lines[:2]))
            data = list(csv.DictReader(lines[2:]))
            
            # Create report
            builder = ReportBuilder(
                part_number=header["PartNumber"],
                serial_number=header["SerialNumber"]
            )
            
            # Add test steps
            for row in data:
                builder.add_step(
                    name=row["TestName"],
                    value=float(row["Value"]),
                    unit=row.get("Unit"),
                    limits=(
                        float(row["LowLimit"]) if row.get("LowLimit") else None,
                        float(row["HighLimit"]) if row.get("HighLimit") else None
                    )
                )
            
            return ConverterResult.success(builder.to_dict())
        
        except Exception as e:
            return ConverterResult.failure(str(e))
