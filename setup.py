"Packaging for molex_nb, read from settings.ini (nbdev's template needs pkg_resources, which setuptools dropped)."
from configparser import ConfigParser
import setuptools

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
c = cfg['DEFAULT']

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable', '6 - Mature', '7 - Inactive']
lic = licenses[c['license']]
min_python = c['min_python']

setuptools.setup(
    name=c['lib_name'],
    version=c['version'],
    description=c['description'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    author=c['author'],
    author_email=c['author_email'],
    url=c['git_url'],
    license=lic[0],
    keywords=c['keywords'].split(),
    classifiers=[
        'Development Status :: ' + statuses[int(c['status']) - 1],
        'Intended Audience :: ' + c['audience'],
        'License :: ' + lic[1],
        'Natural Language :: ' + c['language'],
        'Programming Language :: Python :: 3',
    ],
    packages=setuptools.find_packages(include=[c['lib_path'], c['lib_path'] + '.*']),
    include_package_data=True,
    python_requires='>=' + min_python,
    install_requires=c.get('requirements', '').split(),
    extras_require={'e2e': c.get('e2e_requirements', '').split(), 'lmeval': c.get('lmeval_requirements', '').split(),
                    'dev': c.get('dev_requirements', '').split() + c.get('e2e_requirements', '').split() + c.get('lmeval_requirements', '').split()},
    entry_points={
        'console_scripts': c.get('console_scripts', '').split(),
        'nbdev': [f"{c['lib_path']}={c['lib_path']}._modidx:d"],
    },
    zip_safe=False,
)
